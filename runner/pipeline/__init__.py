"""What to run: pipeline.yaml and compose.yaml resolved into a Pipeline."""
