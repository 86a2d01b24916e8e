"""The intake queue of every channel but the phone (issue 15).

* ``queue`` — receive a message (idempotent on the channel's message id), the waiting queue
  oldest first with its first-response clocks, and the operator's three ways to finish a
  message: a new work order, added to an existing order, answered and closed from the knowledge
  base; the conversation kept on the order.
* ``replies`` — answers to the sender on its channel (SMS through the SMS adapter, by a job).
* ``sms`` — the SMS gateway's inbound deliveries: long messages reassembled, "查询 <number>"
  answered automatically.
* ``mail`` — the hotline's mailbox polled over IMAP; e-mail answers threaded.
* ``figures`` — volume and first-response time per channel for the statistics.
* ``open311`` — Open311 GeoReport v2: client applications and their api keys, services,
  requests filed and followed.
* ``lookups`` — status look-ups (/track, Open311 GET) counted per address and number, 429 past
  the hourly limits.
"""
