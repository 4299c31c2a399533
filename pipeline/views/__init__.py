"""Pipeline pages: board, deal list and export, deal page and its actions, admin screens."""
