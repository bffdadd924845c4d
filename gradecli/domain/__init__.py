"""Pure rules of the grading system: no database, files or terminal here."""
