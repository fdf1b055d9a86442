"""Team progress: how far each annotator and each source has come, for reviewers and managers."""
