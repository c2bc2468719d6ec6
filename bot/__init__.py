"""The Rasa side of the helpline: Khmer text handling, language detection and training."""
