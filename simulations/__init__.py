"""Monte Carlo and discrete-event simulation of projects flowing through an approval process."""
