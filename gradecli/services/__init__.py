"""Use cases: each public function is one command's work in one transaction. Nothing here prints."""
