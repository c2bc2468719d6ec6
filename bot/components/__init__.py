"""Custom Rasa graph components for Khmer text (registered with DefaultV1Recipe)."""
