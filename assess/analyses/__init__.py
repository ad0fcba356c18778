"""Analyses of scored engagements: rater agreement, sensitivity to the weights, and
explaining one score.  Each reuses the scorer."""
