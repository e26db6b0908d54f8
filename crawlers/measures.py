"""The measures label records may carry, declared once for every source: a name, a unit and
what a person calls it. A record stores `measures` as name → value (crawlers.items), the load
derives one row per record and measure (store.models.current_measure), and criteria, bands and
life-cycle costs read that table whatever the source (ENERGY STAR's typical energy use, EPREL's
on-mode power)."""

from dataclasses import dataclass

from crawlers.sources.declaration import N_


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str  # a unit in words is marked for translation, as the title
    title: str  # what a person reads


MEASURES = {
    m.name: m
    for m in (
        Measure("annual_energy_kwh", N_("kWh/year"), N_("typical annual energy use")),
        Measure("annual_energy_limit_kwh", N_("kWh/year"), N_("annual energy use allowed by the label")),
        Measure("below_limit_percent", "%", N_("energy use below the label's limit")),
        Measure("on_mode_power_w", "W", N_("on-mode power")),
        Measure("on_mode_power_limit_w", "W", N_("on-mode power allowed by the label")),
        Measure("sleep_power_w", "W", N_("sleep-mode power")),
        Measure("off_power_w", "W", N_("off-mode power")),
        Measure("long_idle_power_w", "W", N_("long-idle power")),
        Measure("short_idle_power_w", "W", N_("short-idle power")),
        Measure("screen_size_in", N_("in"), N_("screen diagonal")),
        Measure("standby_power_w", "W", N_("standby power")),
        Measure("on_mode_power_hdr_w", "W", N_("on-mode power in HDR")),
        Measure("energy_1000h_kwh", N_("kWh/1000 h"), N_("energy use per 1,000 hours")),
        Measure("energy_1000h_hdr_kwh", N_("kWh/1000 h"), N_("energy use per 1,000 hours in HDR")),
        Measure("resolution_horizontal_px", "px", N_("horizontal resolution")),
        Measure("resolution_vertical_px", "px", N_("vertical resolution")),
        Measure("battery_cycles", N_("cycles"), N_("battery endurance in full charge cycles")),
        Measure("battery_capacity_mah", "mAh", N_("rated battery capacity")),
        Measure("software_update_years", N_("years"), N_("minimum years of operating system updates")),
        Measure("guarantee_months", N_("months"), N_("guarantee")),
        Measure("ip_rating", "IP", N_("ingress protection (IP code)")),
        Measure("falls_without_defect", N_("falls"), N_("falls without defect")),
        Measure("repairability_index", N_("points"), N_("repairability index (1 to 5)")),
    )
}


def below_limit_percent(value: float, limit: float) -> float | None:
    """How far a measured value lies below the label's limit, in % of the limit (negative: above
    it); None without a positive limit."""
    if limit <= 0:
        return None
    return round((limit - value) / limit * 100, 1)
