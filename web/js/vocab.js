// The registry's vocabularies. The codes, their order and the instrument
// structure come from the server (GET /api/vocab), loaded once after login
// by loadVocab(); this file only adds the plain-language labels the forms
// show. A code the label map does not know (a clinic's own condition, or a
// code newer than this file) shows the server's name for it, or the code.
// The server validates every value again; these lists only spare people
// typing codes.
import { api } from './api.js';

// Vocabulary (as /api/vocab names it) -> code -> label.
const LABELS = {
  modalities: { dextrose: 'Dextrose prolotherapy', prp: 'PRP (platelet-rich plasma)', stem_cell: 'Stem cells' },
  conditions: {
    low_back_pain: 'Low back pain', neck_pain: 'Neck pain', knee_oa: 'Knee osteoarthritis',
    tendinopathy: 'Tendinopathy', ligament_sprain: 'Ligament sprain',
  },
  statuses: {
    planned: 'Planned', active: 'Active', completed: 'Completed', goal_reached: 'Goal reached (stopped early, improved)',
    dropped: 'Dropped out', stopped_adverse_event: 'Stopped: side effect', stopped_no_improvement: 'Stopped: no improvement',
  },
  sexes: { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' },
  proliferants: {
    dextrose: 'Dextrose', prp: 'PRP', bmac: 'Bone-marrow concentrate (BMAC)', adipose: 'Adipose-derived cells',
    p2g: 'P2G', sodium_morrhuate: 'Sodium morrhuate', saline: 'Saline',
  },
  adverse_event_kinds: {
    soreness: 'Soreness', stiffness: 'Stiffness', infection: 'Infection', nerve_injury: 'Nerve injury',
    post_dural_puncture_headache: 'Post-dural-puncture headache', pneumothorax: 'Pneumothorax',
    vasovagal: 'Fainting (vasovagal)', allergic: 'Allergic reaction', other: 'Other',
  },
  guidance: { landmark: 'Landmark', ultrasound: 'Ultrasound', fluoroscopy: 'Fluoroscopy' },
  sides: { left: 'Left', right: 'Right', bilateral: 'Both sides', midline: 'Midline' },
  seriousness: {
    none: 'Not serious', hospitalisation: 'Hospital stay', disability: 'Disability',
    life_threatening: 'Life-threatening', death: 'Death',
  },
  relatedness: { unrelated: 'Unrelated', unlikely: 'Unlikely', possible: 'Possible', probable: 'Probable', definite: 'Definite' },
  stem_cell_sources: { bmac: 'Bone marrow (BMAC)', adipose: 'Adipose tissue' },
  activations: { none: 'None', thrombin: 'Thrombin', calcium_chloride: 'Calcium chloride', collagen: 'Collagen' },
  contraindications: {
    anticoagulants: 'Takes anticoagulants', bleeding_disorder: 'Bleeding disorder', platelet_disorder: 'Platelet disorder',
    active_infection: 'Active infection', agent_allergy: 'Allergy to an agent', nsaids_48h: 'NSAIDs in the last 48 h',
    recent_corticosteroid: 'Recent corticosteroid injection', pregnancy: 'Pregnancy', cancer: 'Cancer',
  },
  roles: { admin: 'Administrator', clinician: 'Clinician', staff: 'Front desk / nurse', researcher: 'Researcher' },
  instruments: {
    NRS: 'Pain 0–10 (NRS)', VAS: 'Pain 0–100 mm (VAS)', ODI: 'Oswestry Disability Index', NDI: 'Neck Disability Index',
    WOMAC: 'WOMAC (knee and hip)', QuickDASH: 'QuickDASH (arm, shoulder, hand)', KOOS: 'KOOS (knee)',
  },
};

// The lists the forms use: [[code, label], ...] in the server's order.
// They are empty until loadVocab() has run (the router waits for it before
// it shows a page that needs a login).
export let MODALITIES = [];
export let PASSWORD_MIN = null; // the server's password rule (characters)
export let CONDITIONS = [];
export let STATUSES = [];
export let END_STATUSES = [];
export let SEXES = [];
export let PROLIFERANTS = [];
export let AE_KINDS = [];
export let GUIDANCE = [];
export let SIDES = [];
export let SERIOUSNESS = [];
export let RELATEDNESS = [];
export let STEM_SOURCES = [];
export let ACTIVATIONS = [];
export let CONTRAINDICATIONS = [];
export let ROLES = [];
// name -> {icd10, snomed, builtin} of every condition, as stored.
export let CONDITION_INFO = {};
// name -> {title, n (items), min, max, low?, high?} in the server's order.
export let INSTRUMENTS = {};
export let INSTRUMENT_OPTIONS = [];
// condition -> its usual injection sites (the session form's suggestions).
export let SITES = {};

function pairs(kind, codes) {
  const labels = LABELS[kind] || {};
  return (Array.isArray(codes) ? codes : []).map((c) => [String(c), labels[c] || String(c)]);
}

// A condition's label: ours for the built-in ones, else the name the clinic
// gave it (`prolo condition add --label`), else its code.
function conditionPairs(list) {
  return (Array.isArray(list) ? list : []).map((c) => {
    const name = String(typeof c === 'string' ? c : c.name);
    return [name, LABELS.conditions[name] || (c && c.label) || name];
  });
}

function apply(v) {
  MODALITIES = pairs('modalities', v.modalities);
  CONDITIONS = conditionPairs(v.conditions);
  const info = {};
  for (const c of Array.isArray(v.conditions) ? v.conditions : []) {
    if (c && typeof c === 'object') info[c.name] = { icd10: c.icd10 || '', snomed: c.snomed || '', builtin: !!c.builtin };
  }
  CONDITION_INFO = info;
  STATUSES = pairs('statuses', v.statuses);
  END_STATUSES = pairs('statuses', v.end_statuses);
  SEXES = pairs('sexes', v.sexes);
  PROLIFERANTS = pairs('proliferants', v.proliferants);
  AE_KINDS = pairs('adverse_event_kinds', v.adverse_event_kinds);
  GUIDANCE = pairs('guidance', v.guidance);
  SIDES = pairs('sides', v.sides);
  SERIOUSNESS = pairs('seriousness', v.seriousness);
  RELATEDNESS = pairs('relatedness', v.relatedness);
  STEM_SOURCES = pairs('stem_cell_sources', v.stem_cell_sources);
  ACTIVATIONS = pairs('activations', v.activations);
  CONTRAINDICATIONS = pairs('contraindications', v.contraindications);
  ROLES = pairs('roles', v.roles);
  PASSWORD_MIN = v.password_min;
  SITES = v.sites && typeof v.sites === 'object' ? v.sites : {};
  const instruments = {};
  for (const i of Array.isArray(v.instruments) ? v.instruments : []) {
    instruments[i.name] = {
      title: LABELS.instruments[i.name] || i.title || i.name,
      n: i.items, min: i.min, max: i.max, low: i.low, high: i.high,
    };
  }
  INSTRUMENTS = instruments;
  INSTRUMENT_OPTIONS = Object.entries(INSTRUMENTS).map(([k, x]) => [k, x.title]);
}

let loading = null;

// Loads the vocabularies once per login; a failed load is tried again on
// the next call. Resolves when the lists above are filled.
export function loadVocab() {
  if (!loading) {
    loading = api('GET', '/api/vocab').then(apply).catch((e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

// After a logout: the next login loads them again (a clinic may have
// added a condition meanwhile).
export function forgetVocab() {
  loading = null;
}

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
  contraindication_added: { rank: 2, tone: 'warn', label: 'Contraindication recorded after planning' },
  followup_unanswered: { rank: 5, tone: 'warn', label: 'Follow-up unanswered' },
  contact_fix: { rank: 5, tone: 'warn', label: 'Fix contact details' },
};
