"""Running a pipeline: plan, attempts, the manifest (only writer), lock, checks, fingerprints."""
