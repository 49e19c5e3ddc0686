"""Edit dialogs. Each validates as you type and has a ``classmethod ask`` that tests replace."""
