"""The programme catalogue: programmes, rounds, groups, sessions, trainers and funders.

Reading: programmes (the frame every view hangs on), groups (as a viewer sees them), rounds
(states and choices), views (the catalogue page). Writing: editing (programmes, rounds),
group_editing (groups, sessions), staff (trainers, funders), templates, copying, workbook
(XLSX import and export); rules and steps behind them; cli for the command line.
"""
