"""gradecli: a post-level grading system (岗位等级制度) for HR officers."""

__version__ = "0.1.0"
