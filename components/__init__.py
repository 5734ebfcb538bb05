"""Reusable ComponentResources; they only wire resources, the logic they use is in plain modules."""
