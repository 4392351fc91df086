/**
 * The demo's problem spec: alert passengers about likely delays (DESIGN.md section 6), on the US flight
 * records of January to June 2001 that ship with the vega-datasets package.
 */
export const FLIGHT_DELAY_SPEC = `# mlcycle problem spec: the flight-delay alert demo.
version: 1
name: flight-delay-alerts

customerProblem: >
  Passengers learn about a delay at the gate, too late to rebook, reschedule a pick-up or stay longer at
  home. They want a warning early enough to act on it.
businessProblem: >
  Missed connections and gate crowding cost rebooking desk time and goodwill. An early delay alert that
  passengers trust should raise app engagement and cut desk rebookings, without crying wolf so often
  that passengers mute the alerts.

task: binary
target:
  column: delayed
  definition: delay > 15
  positive: true
  description: the flight arrives more than 15 minutes late (the US DOT on-time definition)
randomizationUnit: passenger_id

segments:
  - name: origin_region
    column: origin_region
    description: the US census region of the departure airport; the rollout goes region by region
  - name: origin_state
    column: origin_state
    description: the state of the departure airport
  - name: distance_band
    column: distance_band
    description: short, medium and long haul
  - name: hour_of_day
    column: hour
    description: departures late in the day inherit the day's accumulated delays

successMetrics:
  - id: rebooked_before_gate
    description: share of delayed passengers who rebooked or changed plans before reaching the gate
    kind: proportion
    source: { event: rebooked_before_gate }
    direction: increase
    minimumDetectableEffect: { relative: 0.05 }
    role: primary
  - id: alert_engagement
    description: alert opens per alert sent
    kind: ratio
    source:
      numerator: { event: alert_opened }
      denominator: { event: alert_sent }
    direction: increase
    minimumDetectableEffect: { relative: 0.03 }
    role: secondary
  - id: alerts_muted
    description: share of passengers who mute flight alerts
    kind: proportion
    source: { event: alerts_muted }
    direction: decrease
    minimumDetectableEffect: { absolute: 0.005 }
    role: guardrail
    nonInferiorityMargin: 0.02
  - id: desk_wait_p90
    description: 90th percentile of minutes waited at the rebooking desk
    kind: quantile
    quantile: 0.9
    source: { column: desk_wait_minutes }
    direction: decrease
    minimumDetectableEffect: { relative: 0.05 }
    role: secondary

mlMetrics:
  - { metric: roc_auc, target: 0.65 }
  - { metric: brier, target: 0.15 }
  - { metric: lift_at_k, k: 10, target: 1.8 }

valueModel:
  currency: USD
  unit: per flight alerted or not
  truePositive: 14    # a warned passenger rebooks in time: desk time and a missed connection saved
  falsePositive: -4   # an alert for an on-time flight costs trust and an unneeded change of plans
  falseNegative: -6   # an unannounced delay: the status quo cost of a desk rebooking
  trueNegative: 0
  maxFalsePositiveRate: 0.2

stakeholders:
  - { name: Maya Ortiz, email: maya@example.com, roles: [product-manager] }
  - { name: Sam Lee, email: sam@example.com, roles: [data-scientist, data-engineer] }
  - { name: Ravi Patel, email: ravi@example.com, roles: [software-engineer, architect] }
  - { name: Jo Kim, email: jo@example.com, roles: [engineering-manager] }

owners:
  dataset: { owner: Sam Lee, onCall: sam@example.com }
  pipeline: { owner: Sam Lee, onCall: sam@example.com }
  model: { owner: Sam Lee, onCall: sam@example.com }
  experiment: { owner: Sam Lee, onCall: sam@example.com }
  rollout: { owner: Ravi Patel, onCall: pager:flight-alerts-serving }
  endpoint: { owner: Ravi Patel, onCall: pager:flight-alerts-serving }
  monitor: { owner: Ravi Patel, onCall: pager:flight-alerts-serving }

datasets:
  flights:
    description: US DOT on-time records, January to June 2001, from vega-datasets
    timeColumn: date
    columns:
      delay: { availableAt: after-outcome, description: minutes late on arrival; the target is derived from it }
  airports:
    description: airport codes with their state, from vega-datasets
    target: false
    checks:
      - { check: unique, columns: [iata] }
      - { check: not-null, column: state, severity: warning }
  flights-enriched:
    description: flights with the origin's state and region, distance band and hour; split into train, validation and live
    timeColumn: date
    columns:
      delay: { availableAt: after-outcome, description: minutes late on arrival; the target is derived from it }
      hour: { type: categorical }
    checks:
      - { check: not-null, column: date }
      - { check: not-null, column: delay }
      - { check: not-null, column: origin }
      - { check: not-null, column: origin_state }
      - { check: range, column: distance, min: 0, max: 6000 }
      - { check: range, column: delay, min: -1440, max: 2880 }
      - { check: allowed-values, column: distance_band, values: [short, medium, long] }
      - { check: allowed-values, column: origin_region, values: [Northeast, Midwest, South, West, Territories] }
      - { check: row-count, min: 100000 }
      - { check: schema-match, reference: flights-enriched@1 }
`;
