"""The shipped sample question banks (data only); see README.md."""
