"""Rasa's NLG callback: the answer text for a response name, in the user's language."""
