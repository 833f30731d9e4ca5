"""The staff workflow: officers work tickets from their Telegram groups, residents hear each step.

`where` says which chat holds a ticket's card, `access` who may act there, `card` renders the
card and its buttons, `actions` holds one `do_*` per thing an officer does (every door calls
them: buttons, replies, commands, later the dashboard), `notify` tells the resident and the
followers, `group` reads what happens in a staff group, `citizen` the resident's side
(answers to questions, Ya/Belum, ratings), `similar` finds a report the resident may follow.
"""
