"""What users ask and how the helpline does. Nothing here stores a user id.

- `hooks`: what the worker, /nlg and the handoff service call; never raises.
- `stats`: counters per Phnom Penh day (`days`), kept about 400 days; `once` counts a Rasa
  turn once; `tracker` reads what /nlg gets from Rasa.
- `unanswered`: masked messages the assistant could not answer, kept RETENTION_DAYS, grouped
  by similarity (`grouping`).
- `examples`: what editors assigned to an intent, until `nlu_export` writes it to nlu_data/.
- `report`, `charts`, `views`: the console pages /console/insights/ and their CSV files.
"""
