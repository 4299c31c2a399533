"""Writes on leads, by topic. Import the functions from their modules:
`leads.services.capture.lead_create`, `leads.services.lifecycle.lead_transition`, …"""
