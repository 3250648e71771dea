"""RIEC integral case analysis: workers, registers and command line around Camunda 7."""
