"""Analyses of the SOP library and its measured work: overlap flags, what-if simulation."""
