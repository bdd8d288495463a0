"""Reports and interoperability: the clinic's outcome report and the FHIR export."""
