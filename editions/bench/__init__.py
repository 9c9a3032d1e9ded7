"""A developer tool: time builds against the plain tools (`invoke bench`)."""
