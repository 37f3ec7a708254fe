"""Inference: point fits, posteriors, information and uncertainty."""
