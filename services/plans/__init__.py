"""The plans service: open-government action plans (rencana aksi) compiled by enrolled regions."""
