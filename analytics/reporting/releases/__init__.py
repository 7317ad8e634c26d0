"""Funder reports as protected releases (issue 17): a fixed set of aggregate tables per funder
and period, disclosure control over the whole set and every release the funder already has,
an audit by linear programming, stored reproducibly, downloadable as PDF, XLSX and CSV.

tables (what is counted), suppression (what is hidden), audit (what a reader could work
out), content (the published tables and rates), store (prepare, publish, read), render
(the files), cli (`python -m analytics report`).
"""
