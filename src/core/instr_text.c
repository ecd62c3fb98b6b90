/* Validation of a clinic's instrument wording. Every rule names the place at
 * fault so that a clinic fixing a transcription of a 42-item form is told
 * "item 17", not "invalid file". The structure it checks against (item
 * count, answer range) is the one the scoring uses (instruments.c). */
#include "core/instr_text.h"

#include <stdio.h>
#include <string.h>

#include "core/instruments.h"

static const char *const top_keys[] = { "instrument", "version", "language", "licence", "title",
	                                "intro", "labels", "anchors", "items", NULL };
static const char *const item_keys[] = { "no", "text", "labels", NULL };

static bool known(const char *const *keys, const char *k)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* Printable UTF-8 of 1..max bytes: no control characters (a label or a
 * text is one line on the patient's page). */
static const char *text_problem(const json_t *v, size_t max)
{
	if (!json_is_string(v))
		return "must be text";
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return "is empty";
	if (n > max)
		return "is too long";
	if (!dom_utf8_valid(s, n) || strlen(s) != n)
		return "is not valid UTF-8 text";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character (line break or tab)";
	return NULL;
}

/* A required or optional text member, copied to canon. */
static enum prolo_code take_text(const json_t *root, json_t *canon, const char *key, bool required,
                                 size_t max, struct prolo_err *err)
{
	const json_t *v = json_object_get(root, key);
	if (!v) {
		if (required)
			return prolo_err_set(err, PROLO_EINVAL, key, "is required");
		return PROLO_OK;
	}
	const char *why = text_problem(v, max);
	if (why)
		return prolo_err_set(err, PROLO_EINVAL, key, "%s%s", why,
		                     strcmp(why, "is too long") == 0 ? " (see docs/instruments.md for the limits)" : "");
	json_object_set_new(canon, key, json_string(json_string_value(v)));
	return PROLO_OK;
}

/* A language tag as in BCP 47, in its common short form: "en", "de-CH",
 * "pt-BR", "sr-Latn". */
static bool language_ok(const char *s)
{
	size_t n = strlen(s), i = 0;
	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	while (i < n) {
		if (s[i] != '-')
			return false;
		size_t k = ++i;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		                 (s[i] >= '0' && s[i] <= '9')))
			i++;
		if (i - k < 2 || i - k > 8)
			return false;
	}
	return true;
}

/* Answer labels: one per answer of the scale, lowest first. field is
 * "labels" or "item K"; *out is a new array. */
static enum prolo_code take_labels(const struct instr_info *in, const json_t *v, const char *field,
                                   json_t **out, struct prolo_err *err)
{
	int width = in->item_max - in->item_min + 1;
	const char *where = strcmp(field, "labels") == 0 ? "" : "labels: ";
	if (width > ITEXT_LABELS_MAX)
		return prolo_err_set(err, PROLO_EINVAL, field,
		                     "%s%s answers are a number from %d to %d: give \"anchors\" "
		                     "(low, high) instead of labels", where, in->name, in->item_min, in->item_max);
	if (!json_is_array(v))
		return prolo_err_set(err, PROLO_EINVAL, field, "%smust be a list of %d labels", where, width);
	if (json_array_size(v) != (size_t)width)
		return prolo_err_set(err, PROLO_EINVAL, field,
		                     "%shas %zu labels; %s answers run from %d to %d, so it needs %d "
		                     "(one per answer, lowest first)", where, json_array_size(v), in->name,
		                     in->item_min, in->item_max, width);
	json_t *arr = json_array();
	for (int i = 0; i < width; i++) {
		const json_t *l = json_array_get(v, (size_t)i);
		const char *why = text_problem(l, ITEXT_LABEL_MAX);
		if (why) {
			json_decref(arr);
			return prolo_err_set(err, PROLO_EINVAL, field, "%slabel %d (answer %d) %s", where, i + 1,
			                     in->item_min + i, why);
		}
		json_array_append_new(arr, json_string(json_string_value(l)));
	}
	*out = arr;
	return PROLO_OK;
}

static enum prolo_code take_anchors(const json_t *v, json_t *canon, struct prolo_err *err)
{
	if (!v)
		return PROLO_OK;
	if (!json_is_object(v))
		return prolo_err_set(err, PROLO_EINVAL, "anchors", "must be {\"low\": ..., \"high\": ...}");
	const char *k;
	const json_t *x;
	json_object_foreach((json_t *)v, k, x) {
		if (strcmp(k, "low") != 0 && strcmp(k, "high") != 0)
			return prolo_err_set(err, PROLO_EINVAL, "anchors", "unknown key '%.40s'; expected low and high", k);
		const char *why = text_problem(x, ITEXT_LABEL_MAX);
		if (why)
			return prolo_err_set(err, PROLO_EINVAL, "anchors", "%s %s", k, why);
	}
	if (!json_object_get(v, "low") || !json_object_get(v, "high"))
		return prolo_err_set(err, PROLO_EINVAL, "anchors", "needs both low and high");
	json_object_set_new(canon, "anchors", json_deep_copy(v));
	return PROLO_OK;
}

static enum prolo_code take_item(const struct instr_info *in, const json_t *it, int k, json_t *items,
                                 struct prolo_err *err)
{
	char field[32];
	snprintf(field, sizeof field, "item %d", k + 1);
	if (!json_is_object(it))
		return prolo_err_set(err, PROLO_EINVAL, field, "must be {\"no\": %d, \"text\": \"...\"}", k + 1);
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)it, key, v)
		if (!known(item_keys, key))
			return prolo_err_set(err, PROLO_EINVAL, field, "unknown key '%.40s'; an item has no, text "
			                     "and labels", key);
	const json_t *no = json_object_get(it, "no");
	if (!json_is_integer(no))
		return prolo_err_set(err, PROLO_EINVAL, field, "no is missing or not a whole number");
	if (json_integer_value(no) != k + 1)
		return prolo_err_set(err, PROLO_EINVAL, field,
		                     "no is %lld; the items must come in form order, numbered 1 to %d",
		                     (long long)json_integer_value(no), in->n_items);
	const json_t *text = json_object_get(it, "text");
	if (!text)
		return prolo_err_set(err, PROLO_EINVAL, field, "text is required");
	const char *why = text_problem(text, ITEXT_TEXT_MAX);
	if (why)
		return prolo_err_set(err, PROLO_EINVAL, field, "text %s", why);
	json_t *out = json_pack("{s:i,s:s}", "no", k + 1, "text", json_string_value(text));
	const json_t *labels = json_object_get(it, "labels");
	if (labels) {
		json_t *l = NULL;
		enum prolo_code rc = take_labels(in, labels, field, &l, err);
		if (rc) {
			json_decref(out);
			return rc;
		}
		json_object_set_new(out, "labels", l);
	}
	json_array_append_new(items, out);
	return PROLO_OK;
}

static enum prolo_code check_root(const json_t *root, json_t *canon, enum instrument *id,
                                  struct prolo_err *err)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)root, key, v)
		if (!known(top_keys, key))
			return prolo_err_set(err, PROLO_EINVAL, key, "unknown key; a wording file has instrument, "
			                     "version, language, licence, title, intro, labels, anchors and items");
	const json_t *name = json_object_get(root, "instrument");
	if (!name)
		return prolo_err_set(err, PROLO_EINVAL, "instrument", "is required (e.g. \"WOMAC\")");
	int i = json_is_string(name) ? dom_lookup(dom_instrument_names, INSTR__COUNT, json_string_value(name),
	                                          json_string_length(name)) : -1;
	if (i < 0)
		return prolo_err_set(err, PROLO_EINVAL, "instrument", "unknown; one of NRS, VAS, ODI, NDI, WOMAC, "
		                     "QuickDASH, KOOS");
	const struct instr_info *in = instr_info((enum instrument)i);
	json_object_set_new(canon, "instrument", json_string(in->name));
	enum prolo_code rc;
	if ((rc = take_text(root, canon, "version", true, ITEXT_META_MAX, err)) ||
	    (rc = take_text(root, canon, "language", true, 35, err)))
		return rc;
	if (!language_ok(json_string_value(json_object_get(canon, "language"))))
		return prolo_err_set(err, PROLO_EINVAL, "language", "is not a language tag such as en, de-CH or pt-BR");
	if ((rc = take_text(root, canon, "licence", true, ITEXT_TEXT_MAX, err)) ||
	    (rc = take_text(root, canon, "title", false, ITEXT_META_MAX, err)) ||
	    (rc = take_text(root, canon, "intro", false, ITEXT_TEXT_MAX, err)) ||
	    (rc = take_anchors(json_object_get(root, "anchors"), canon, err)))
		return rc;
	const json_t *labels = json_object_get(root, "labels");
	if (labels) {
		json_t *l = NULL;
		if ((rc = take_labels(in, labels, "labels", &l, err)))
			return rc;
		json_object_set_new(canon, "labels", l);
	}
	const json_t *items = json_object_get(root, "items");
	if (!items)
		return prolo_err_set(err, PROLO_EINVAL, "items", "is required: the %d items of the %s, in form order",
		                     in->n_items, in->name);
	if (!json_is_array(items))
		return prolo_err_set(err, PROLO_EINVAL, "items", "must be a list of {\"no\", \"text\"}");
	if (json_array_size(items) != (size_t)in->n_items)
		return prolo_err_set(err, PROLO_EINVAL, "items", "the %s has %d items; the file gives %zu",
		                     in->name, in->n_items, json_array_size(items));
	json_t *out = json_array();
	json_object_set_new(canon, "items", out);
	for (int k = 0; k < in->n_items; k++)
		if ((rc = take_item(in, json_array_get(items, (size_t)k), k, out, err)))
			return rc;
	*id = (enum instrument)i;
	return PROLO_OK;
}

enum prolo_code itext_parse(const char *s, size_t len, enum instrument *id, json_t **canon,
                            struct prolo_err *err)
{
	*canon = NULL;
	if (len > ITEXT_FILE_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "file", "is larger than %d KiB", ITEXT_FILE_MAX / 1024);
	json_error_t je;
	json_t *root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		char field[32];
		snprintf(field, sizeof field, "line %d", je.line > 0 ? je.line : 1);
		return prolo_err_set(err, PROLO_EINVAL, field, "not JSON: %.120s (line %d, column %d)", je.text,
		                     je.line, je.column);
	}
	enum prolo_code rc;
	json_t *c = json_object();
	if (!json_is_object(root))
		rc = prolo_err_set(err, PROLO_EINVAL, "file", "must be one JSON object (docs/instruments.md)");
	else
		rc = check_root(root, c, id, err);
	json_decref(root);
	if (rc) {
		json_decref(c);
		return rc;
	}
	*canon = c;
	return PROLO_OK;
}

static const json_t *item_of(const json_t *canon, int k)
{
	return json_array_get(json_object_get(canon, "items"), (size_t)k);
}

const char *itext_item_text(const json_t *canon, int k)
{
	return json_string_value(json_object_get(item_of(canon, k), "text"));
}

const json_t *itext_item_labels(const json_t *canon, int k)
{
	const json_t *l = json_object_get(item_of(canon, k), "labels");
	return l ? l : json_object_get(canon, "labels");
}

const char itext_missing_note[] =
	"The clinic has not put the wording of these questions on this page. Answer only if you have the "
	"clinic's paper questionnaire in front of you, question by question by its number. Please do not "
	"guess: without the paper form, close this page and contact the clinic.";

const char *itext_text_or_shipped(enum instrument id, const json_t *canon, int k)
{
	if (canon)
		return itext_item_text(canon, k);
	return instr_item_text(id, k);
}

const char *itext_source(enum instrument id, const json_t *canon)
{
	return canon ? "clinic" : instr_item_text(id, 0) ? "shipped" : "none";
}

const char *itext_missing(enum instrument id, const json_t *canon)
{
	return strcmp(itext_source(id, canon), "none") == 0 ? itext_missing_note : NULL;
}

json_t *itext_describe(enum instrument id, const json_t *canon)
{
	const struct instr_info *in = instr_info(id);
	json_t *subs = json_array();
	for (int s = 0; s < in->n_subscales; s++)
		json_array_append_new(subs, json_pack("{s:s,s:i,s:i,s:f}", "name", in->subscale_names[s], "first_item",
		                                      in->sub_first[s] + 1, "last_item",
		                                      in->sub_first[s] + in->sub_count[s], "max", in->sub_max[s]));
	json_t *texts = json_array();
	for (int k = 0; k < in->n_items; k++) {
		const char *t = itext_text_or_shipped(id, canon, k);
		const json_t *l = canon ? itext_item_labels(canon, k) : NULL;
		json_array_append_new(texts, json_pack("{s:i,s:s?,s:O?}", "no", k + 1, "text", t, "labels", l));
	}
	return json_pack("{s:s,s:s,s:i,s:i,s:i,s:f,s:f,s:s,s:b,s:o,s:O?,s:s,s:s?,s:o}", "instrument", in->name,
	                 "title", in->title, "items", in->n_items, "answer_min", in->item_min, "answer_max",
	                 in->item_max, "score_min", in->score_min, "score_max", in->score_max, "unit", in->unit,
	                 "higher_is_worse", in->higher_is_worse, "subscales", subs, "wording", canon,
	                 "wording_source", itext_source(id, canon), "missing_note", itext_missing(id, canon),
	                 "item_texts", texts);
}
