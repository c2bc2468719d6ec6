"""Campaign links, QR codes and adverts: which `ref` opens the chat where (Messenger referrals).

`store` keeps staff's map from a ref to a starting point and the daily counts; `start` turns a
starting point into the first answer; `qr` makes the m.me link and printable QR codes; `views`
is the console page; `python -m webhook.referrals` the command line.
"""
