"""The intake of requests from every channel (issue 15): pure rules, no I/O.

* ``channels`` — the closed set of channels (phone, sms, email, web, open311, app, letter,
  walk-in) and how free-text values written before it map onto it.
* ``first_response`` — the first-response clock of a waiting message, per channel.
* ``sms_parts`` — reassembling a long SMS from its parts (UDH-style reference/part/total).
* ``status_query`` — reading "查询 <order number>" in a citizen's message.
* ``mail`` — an inbound e-mail read: text, attachments, thread, automatic or not.
* ``public_status`` — what a citizen is told of an order's state (SMS query, Open311).
"""
