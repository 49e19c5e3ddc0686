"""CPD Desktop: a school's offline record of staff CPD, bookings, release cover and bursaries."""

__version__ = "0.1.0"
