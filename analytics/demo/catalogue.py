"""The shapes of a believable academy: names, roles and the five programme formats.

Facts from DOMAIN.md; the demo generator draws from these tables.
"""

FIRST_NAMES = (
    "Anna Bram Daan Emma Fleur Jeroen Sanne Thomas Lotte Ruben Eva Joost Femke Martijn Iris "
    "Pieter Marloes Sander Esther Bas Linda Koen Nadia Hamza Fatima Youssef Yara Mohamed Ilse "
    "Wouter Karin Mark Judith Erik Mirjam Rob Annemiek Hans Petra Gert Ingrid Tim Noor Lars "
    "Saskia Niels Hanneke Dennis Astrid Frank Miriam Remco Chantal Bart Wendy Rik Marieke Jasper "
    "Anouk Stefan Naima Jan Kim Tom Lieke Vincent Renske Jorrit Tessa Merel Dirk Ayse Emre Sevda"
).split()

LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
    "Prins", "Blom", "Huisman", "Peeters", "de Lange", "Kuipers", "van Wijk", "Postma", "Kuiper",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijngaarden", "Yilmaz", "El Amrani",
    "Bouzid", "Öztürk", "Kaya", "Haddou", "Pinas", "Sedney", "Nguyen", "Wijaya", "Kortekaas",
]

# role category -> (job title as people write it, domain)
ROLES = {
    "wijkregisseur": ("Wijkregisseur", "other"),
    "wijkmanager": ("Wijkmanager", "other"),
    "wijkadviseur": ("Wijkadviseur", "social"),
    "gebiedsmanager": ("Gebiedsmanager", "physical"),
    "inkoper_opbouwwerk": ("Inkoper / accountmanager opbouwwerk", "social"),
    "beleid_sociaal": ("Beleidsmedewerker sociaal domein", "social"),
    "beleid_fysiek": ("Beleidsmedewerker openbare ruimte", "physical"),
    "strategisch_adviseur": ("Strategisch adviseur", "other"),
    "projectleider_fysiek": ("Projectleider fysiek domein", "physical"),
    "buurtcoach": ("Buurtcoach", "social"),
    "opbouwwerker": ("Opbouwwerker", "social"),
    "participatie": ("Adviseur participatie", "other"),
    "raadslid": ("Raadslid", "other"),
    "griffie": ("Griffiemedewerker", "other"),
    "bestuurder": ("Wethouder", "other"),
    "vrijwilliger": ("Actieve bewoner / vrijwilliger", "other"),
}

# format -> who applies, as (role category, weight)
ROLE_MIX = {
    "training": [
        ("wijkregisseur", 5), ("wijkmanager", 3), ("wijkadviseur", 4), ("inkoper_opbouwwerk", 2),
        ("beleid_sociaal", 3), ("beleid_fysiek", 2), ("strategisch_adviseur", 2), ("gebiedsmanager", 2),
    ],
    "themed_meeting": [
        ("beleid_sociaal", 4), ("beleid_fysiek", 2), ("bestuurder", 1), ("opbouwwerker", 3),
        ("buurtcoach", 2), ("vrijwilliger", 3), ("participatie", 2), ("wijkregisseur", 2),
    ],
    "werklab": [
        ("wijkregisseur", 3), ("gebiedsmanager", 2), ("beleid_sociaal", 3), ("beleid_fysiek", 2),
        ("participatie", 2), ("projectleider_fysiek", 1), ("strategisch_adviseur", 1),
    ],
    "workshop": [("raadslid", 6), ("griffie", 1), ("beleid_sociaal", 3)],
    "leerkring": [("wijkregisseur", 3), ("gebiedsmanager", 2), ("wijkmanager", 2)],
}

LEERKRING_PHYSICAL = ["beleid_fysiek", "projectleider_fysiek", "gebiedsmanager"]
LEERKRING_SOCIAL = ["beleid_sociaal", "buurtcoach", "wijkadviseur"]

FUNDERS = [
    ("Ministerie van BZK – programma Leefbaarheid & Veiligheid", "ministry"),
    ("A+O fonds Gemeenten", "fund"),
    ("Academie (eigen middelen)", "organiser"),
]

# name, format, fee, funders (indexes into FUNDERS), certificate (min sessions, required seqs)
PROGRAMMES = [
    ("Buurtmakers Academie", "training", 75, [0], (2, None),
     "Drie trainingsdagen voor ambtenaren die met buurten en bewonersinitiatieven werken."),
    ("Themabijeenkomst Bewonersinitiatieven", "themed_meeting", 0, [2], (1, None),
     "Bijeenkomst van 11:00 tot 15:00 met workshops; gratis, lunch inbegrepen."),
    ("Werklab Samenwerken met inwoners", "werklab", 0, [1], (2, None),
     "Incompany: drie bijeenkomsten met collega's van één gemeente, de eerste bij initiatieven."),
    ("Workshop Raad en bewonersinitiatief", "workshop", 0, [1], (1, None),
     "Incompany dagdeel voor raadsleden en medewerkers sociaal domein."),
    ("Leerkring Wijkgericht werken", "leerkring", 0, [1, 0], (4, [1]),
     "Startbijeenkomst en vier lokale bijeenkomsten; iedere deelnemer neemt een fysiek- en een sociaal-domeincollega mee."),
]

TRAINERS = [
    "Marieke Hoogland", "Ruud Verbeek", "Samira Amrani", "Koen Zwart", "Hester Brink",
    "Thijs Roelofs", "Ellen Kamphuis", "Orlando Pinas",
]

VENUES = [
    "Utrecht, De Nieuwe Poort", "Amersfoort, Stadhuis", "Zwolle, Broerenkerk", "Rotterdam, Huis van de Wijk",
    "Den Haag, Buurthuis De Mussen", "Eindhoven, Area51", "Arnhem, Het Gelders Archief", "Online (Teams)",
]
