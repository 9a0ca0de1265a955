"""Tests of the live-assembly counting core."""
