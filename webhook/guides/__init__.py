"""Guided steps (troubleshooters): a few questions with quick replies, then the steps for the
person's case, ending in a person when needed. Trees are content (responses/guides/)."""
