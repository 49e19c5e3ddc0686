"""Editors shared by the new-school wizard and Settings, so that both show and check a school's term dates
and periods of the day the same way (the saving is the services' work: ``services.schools``)."""
