"""Routing: which team a case waiting for a person goes to, and who is in which team."""
