"""Phase 2 of art. 4(1): hit/no-hit that reveals nothing but "known / not known"."""
