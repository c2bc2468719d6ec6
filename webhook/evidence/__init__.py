"""Evidence: what a user sends while a person handles the case, kept for the moderators."""
