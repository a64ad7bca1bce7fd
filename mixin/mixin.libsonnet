// docker-daemon-exporter's monitoring mixin (monitoring-mixins conventions).
//
//   local docker = (import 'docker-daemon-exporter/mixin/mixin.libsonnet') + {
//     _config+:: { selector: 'job="docker-hosts"', runbookURLPattern: 'https://wiki.example/docker#%s' },
//   };
//   { 'docker.rules.yml': std.manifestYamlDoc(docker.prometheusAlerts) }
//
// The rules are written once, in mixin/*.ts, with node-mixin's one placeholder syntax: `%(name)s`
// stands for an entry of the table placeholders(c) builds from _config (mixin/placeholders.ts says
// what each name is), `%%` for a percent sign. templates.json and config.json are generated from them
// (npm run mixin); this file formats them natively (`text % table`), and a test keeps its rendering
// equal to mixin/render.ts's. The dashboards (built once with Grafana's SDK, dashboards/*.ts) come as
// templates too, in dashboards.json, filled as mixin/dashboards.ts fills them; their variables follow
// the host labels.
local templates = import 'templates.json';
local dashboardTemplates = import 'dashboards.json';

local number(v) =
  if std.type(v) != 'number' then v
  else if v == std.floor(v) then std.toString(v)
  else std.format('%g', v);

local labelsOf(list) = [l for l in [std.stripChars(x, ' ') for x in std.split(list, ',')] if l != ''];

// The labels that get a template variable: the aggregation labels, then the other host labels.
local variableLabels(c) =
  labelsOf(c.aggregationLabels) + [l for l in labelsOf(c.hostLabels) if !std.member(labelsOf(c.aggregationLabels), l)];

local matchers(labels) = std.join(',', [l + '=~"$' + l + '"' for l in labels]);

// What each placeholder becomes at a configuration, as mixin/placeholders.ts placeholderTable. Every
// value is worked out once, in locals (jsonnet evaluates an object's field again at each access, and
// std.format is slow).
local placeholders(c) =
  local hostLabels = labelsOf(c.hostLabels);
  local aggregationLabels = labelsOf(c.aggregationLabels);
  local own = [l for l in hostLabels if !std.member(aggregationLabels, l)];
  local hostMatchers = matchers(variableLabels(c));
  local aggregationMatchers = matchers(aggregationLabels);
  local hostLegend = std.join('/', ['{{' + l + '}}' for l in (if std.length(own) > 0 then own else hostLabels)]);
  local names = std.objectFields(c.thresholds);
  local texts = [[name, number(c.thresholds[name])] for name in names];
  // A share's second entry: one minus it, for panels that show the share in use.
  local used = [
    [name + 'Used', number(std.parseJson(std.format('%.6f', 1 - c.thresholds[name])))]
    for name in names
    if std.endsWith(name, 'Ratio')
  ];
  {
    selector: c.selector,
    selectorAnd: if c.selector == '' then '' else c.selector + ',',
    hostLabels: c.hostLabels,
    aggregationLabels: c.aggregationLabels,
    hostMatchers: hostMatchers,
    aggregationMatchers: aggregationMatchers,
    hostLegend: hostLegend,
  } + { [e[0]]: e[1] for e in texts + used };

// A template filled from the table; one without a % (std.strReplace is native, std.format is not) as it is.
local format(text, table) = if std.strReplace(text, '%', '') == text then text else text % table;

// Only these fields carry placeholders (mixin/dashboards.ts FILLED): filling every string would cost
// seconds here.
local filled = { expr: true, legendFormat: true, description: true, value: true };

// A dashboard's template with _config applied.
local fillTemplate(template, c) =
  local table = placeholders(c);
  local hostLabels = labelsOf(c.hostLabels);
  local aggregationLabels = labelsOf(c.aggregationLabels);
  // Object keys standing for a list of labels (a table's columns): one key per label of _config.
  local keysOf(key) =
    if key == '%(hostLabels)s' then hostLabels
    else if key == '%(aggregationLabels)s' then aggregationLabels
    else [key];
  local fillString(text, key) =
    if !std.objectHas(filled, key) then text
    // A colour step is a number in Grafana: its placeholder (a threshold) is one until rendered.
    else if key == 'value' then std.parseJson(format(text, table))
    else format(text, table);
  local fill(v, key) =
    if std.isString(v) then fillString(v, key)
    else if std.isArray(v) then [fill(x, key) for x in v]
    else if std.isObject(v) then { [k]: fill(v[field], field) for field in std.objectFields(v) for k in keysOf(field) }
    else v;
  fill(template, '');

local datasource = { type: 'prometheus', uid: '${datasource}' };

local templateVariables(c, hosts) =
  local labels = variableLabels(c);
  [{
    type: 'datasource',
    name: 'datasource',
    skipUrlSync: false,
    multi: false,
    allowCustomValue: true,
    includeAll: false,
    auto: false,
    auto_min: '10s',
    auto_count: 30,
    label: 'Data source',
    query: 'prometheus',
    regex: c.datasourceFilterRegex,
    current: { selected: true, text: c.datasourceName, value: c.datasourceName },
  }] + [
    local label = labels[i];
    local selector = std.join(',', [s for s in [c.selector, matchers(labels[0:i])] if s != '']);
    local multi = hosts == 'many' || std.member(labelsOf(c.aggregationLabels), label);
    {
      type: 'query',
      name: label,
      skipUrlSync: false,
      multi: multi,
      allowCustomValue: true,
      includeAll: multi,
      auto: false,
      auto_min: '10s',
      auto_count: 30,
      label: label,
      datasource: datasource,
      query: 'label_values(docker_up' + (if selector == '' then '' else '{' + selector + '}') + ', ' + label + ')',
      refresh: 2,
      sort: 1,
    } + (if multi then { allValue: '.+' } else {})
    for i in std.range(0, std.length(labels) - 1)
  ];

local dashboard(template, c) = fillTemplate(template.dashboard, c) + { templating: { list: templateVariables(c, template.hosts) } };

{
  _config:: import 'config.json',

  prometheusAlerts:: {
    local c = $._config,
    local table = placeholders(c),
    groups: [
      {
        name: g.name,
        rules: [
          {
            alert: r.alert,
            expr: format(r.expr, table),
            'for': r['for'],
            labels: { severity: if std.objectHas(c.severities, r.alert) then c.severities[r.alert] else r.severity },
            annotations: {
              summary: r.summary,
              description: r.description,
              runbook_url: std.strReplace(c.runbookURLPattern, '%s', r.runbook),
            },
          }
          for r in g.rules
        ],
      }
      for g in templates.alerts
    ],
  },

  prometheusRules:: {
    local table = placeholders($._config),
    groups: [
      { name: g.name, rules: [{ record: r.record, expr: format(r.expr, table) } for r in g.rules] }
      for g in templates.rules
    ],
  },

  // Alertmanager inhibition, one page per cause: for the inhibit_rules of an alertmanager.yml.
  alertmanagerInhibitRules:: [r { equal: labelsOf($._config.hostLabels) } for r in templates.inhibit],

  grafanaDashboards:: {
    [file]: dashboard(dashboardTemplates[file], $._config)
    for file in std.objectFields(dashboardTemplates)
  },
}
