"""Discussion: comments on documents and passages, mentions, sending a document back."""
