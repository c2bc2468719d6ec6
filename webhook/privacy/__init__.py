"""Protecting the people who write to us: masking secrets before anything is stored or shown."""
