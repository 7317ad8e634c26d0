-- The late-joiner rule (issue 20): does a replacement (a walk-in in someone's place) take
-- over the sessions the person replaced attended before they joined? Null: the format's
-- default (analytics.attendance.certificates.INHERITS: yes for a werklab or a leerkring,
-- no for a training); true or false: this programme's own choice. participation.completed
-- follows it; analytics.store.derived.rebuild refills the summaries after migrating.

alter table programmes add column if not exists replacement_inherits boolean;
