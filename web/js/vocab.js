// The registry's vocabularies (src/core/domain.c) and instrument item
// structure (src/core/instruments.c), with the plain-language labels the
// forms show. The server validates every value again; these lists only
// spare people typing codes.

export const MODALITIES = [['dextrose', 'Dextrose prolotherapy'], ['prp', 'PRP (platelet-rich plasma)'], ['stem_cell', 'Stem cells']];
export const CONDITIONS = [
  ['low_back_pain', 'Low back pain'], ['neck_pain', 'Neck pain'], ['knee_oa', 'Knee osteoarthritis'],
  ['tendinopathy', 'Tendinopathy'], ['ligament_sprain', 'Ligament sprain'],
];
export const STATUSES = [
  ['planned', 'Planned'], ['active', 'Active'], ['completed', 'Completed'], ['goal_reached', 'Goal reached (stopped early, improved)'],
  ['dropped', 'Dropped out'], ['stopped_adverse_event', 'Stopped: side effect'], ['stopped_no_improvement', 'Stopped: no improvement'],
];
export const END_STATUSES = STATUSES.filter(([v]) => v !== 'planned' && v !== 'active');
export const SEXES = [['female', 'Female'], ['male', 'Male'], ['other', 'Other'], ['unknown', 'Unknown']];
export const PROLIFERANTS = [
  ['dextrose', 'Dextrose'], ['prp', 'PRP'], ['bmac', 'Bone-marrow concentrate (BMAC)'], ['adipose', 'Adipose-derived cells'],
  ['p2g', 'P2G'], ['sodium_morrhuate', 'Sodium morrhuate'], ['saline', 'Saline'],
];
export const AE_KINDS = [
  ['soreness', 'Soreness'], ['stiffness', 'Stiffness'], ['infection', 'Infection'], ['nerve_injury', 'Nerve injury'],
  ['post_dural_puncture_headache', 'Post-dural-puncture headache'], ['pneumothorax', 'Pneumothorax'],
  ['vasovagal', 'Fainting (vasovagal)'], ['allergic', 'Allergic reaction'], ['other', 'Other'],
];
export const GUIDANCE = [['landmark', 'Landmark'], ['ultrasound', 'Ultrasound'], ['fluoroscopy', 'Fluoroscopy']];
export const SIDES = [['left', 'Left'], ['right', 'Right'], ['bilateral', 'Both sides'], ['midline', 'Midline']];
export const SERIOUSNESS = [
  ['none', 'Not serious'], ['hospitalisation', 'Hospital stay'], ['disability', 'Disability'],
  ['life_threatening', 'Life-threatening'], ['death', 'Death'],
];
export const RELATEDNESS = [
  ['unrelated', 'Unrelated'], ['unlikely', 'Unlikely'], ['possible', 'Possible'], ['probable', 'Probable'], ['definite', 'Definite'],
];
export const STEM_SOURCES = [['bmac', 'Bone marrow (BMAC)'], ['adipose', 'Adipose tissue']];
export const ACTIVATIONS = [['none', 'None'], ['thrombin', 'Thrombin'], ['calcium_chloride', 'Calcium chloride'], ['collagen', 'Collagen']];
export const CONTRAINDICATIONS = [
  ['anticoagulants', 'Takes anticoagulants'], ['bleeding_disorder', 'Bleeding disorder'], ['platelet_disorder', 'Platelet disorder'],
  ['active_infection', 'Active infection'], ['agent_allergy', 'Allergy to an agent'], ['nsaids_48h', 'NSAIDs in the last 48 h'],
  ['recent_corticosteroid', 'Recent corticosteroid injection'], ['pregnancy', 'Pregnancy'], ['cancer', 'Cancer'],
];
export const ROLES = [['admin', 'Administrator'], ['clinician', 'Clinician'], ['staff', 'Front desk / nurse'], ['researcher', 'Researcher']];

// name -> {title, n (items), min, max, anchors?}
export const INSTRUMENTS = {
  NRS: { title: 'Pain 0–10 (NRS)', n: 1, min: 0, max: 10, low: 'No pain', high: 'Worst pain imaginable' },
  VAS: { title: 'Pain 0–100 mm (VAS)', n: 1, min: 0, max: 100, low: 'No pain', high: 'Worst pain imaginable' },
  ODI: { title: 'Oswestry Disability Index', n: 10, min: 0, max: 5 },
  NDI: { title: 'Neck Disability Index', n: 10, min: 0, max: 5 },
  WOMAC: { title: 'WOMAC (knee and hip)', n: 24, min: 0, max: 4 },
  QuickDASH: { title: 'QuickDASH (arm, shoulder, hand)', n: 11, min: 1, max: 5 },
  KOOS: { title: 'KOOS (knee)', n: 42, min: 0, max: 4 },
};
export const INSTRUMENT_OPTIONS = Object.entries(INSTRUMENTS).map(([k, v]) => [k, v.title]);

export function labelFor(list, value) {
  const hit = list.find(([v]) => v === value);
  return hit ? hit[1] : (value ?? '—');
}

// Alert kinds (issue 5) in the order the morning list shows them, with the
// tone of their badge: urgent ones first.
export const ALERT_KINDS = {
  serious_adverse_event: { rank: 0, tone: 'urgent', label: 'Serious side effect' },
  infection: { rank: 1, tone: 'urgent', label: 'Infection' },
  session_overdue: { rank: 2, tone: 'warn', label: 'Session overdue' },
  prolonged_side_effect: { rank: 3, tone: 'warn', label: 'Long-lasting soreness' },
  slow_progress: { rank: 4, tone: 'warn', label: 'Slow progress' },
  silent: { rank: 5, tone: 'warn', label: 'No contact' },
  session_due: { rank: 6, tone: 'info', label: 'Session due' },
  questionnaire_due: { rank: 7, tone: 'info', label: 'Questionnaire due' },
};
