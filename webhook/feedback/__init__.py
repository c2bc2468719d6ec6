"""Which answers help: "Did this help?" after a topic answer, 👍/👎 and message reactions,
"what was missing" texts, and the counts staff see per answer and language."""
