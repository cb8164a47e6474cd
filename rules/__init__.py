"""Reform measures as auditable transforms of an approval process (Process -> Process + audit)."""
