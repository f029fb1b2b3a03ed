"""`ogi simulate`: a 2018–2020 rollout played through the real contract, as the ministries' systems would."""
