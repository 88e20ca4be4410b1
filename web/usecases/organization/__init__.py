"""Who works where: organizations, units, positions, users, logins and working calendars."""
