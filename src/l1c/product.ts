/**
 * The L1C product as a CDF spec (PROCESSING.md 4.2-4.4): 14 zVariables and their attributes exactly as
 * the reference's golden file has them, its oddities included for compatibility (UNITS `0.01 J / kg`,
 * SI_CONVERSION ` > `, CHAR FORMAT from the first dimension, VALIDMIN/MAX the full double range).
 * Deliberate differences: RESOLUTION is exact, Instrument_mode/Logical_source/Logical_file_id carry the
 * mode (`all` or the sensor number), and the writer's identity goes into CDF_Lib_version.
 */
import { CdfType, entry, type CdfEntry, type CdfSpec, type CdfVariableSpec } from '../cdf/index.js';
import type { L1cProduct } from './assemble.js';
import { L1cOptionsError } from './errors.js';
import { FILL } from './grid.js';
import { GLOBAL_ATTRIBUTES_BEFORE_MODE, GLOBAL_ATTRIBUTES_BEFORE_SOURCE } from './global-attributes.js';
import { L1C_TYPE, L1C_VERSION, l1cLogicalFileId, l1cMode } from './naming.js';

export interface L1cFileOptions {
  /** The run's selection: `ALL` or `REACH-<n>`; gives the mode (`all`, `<n>`). */
  sensorId: string;
  /** When the file is written; Generation_date is its UTC date. */
  generatedAt: Date;
  /** reach-udl's version: CDF_Lib_version = `reach-udl <version>`. */
  softwareVersion: string;
  /** SWxSOC_version and REACH_version texts. */
  swxsocVersion: string;
  reachVersion: string;
}

const char = entry.char;
const TT2000_FILLVAL = -9223372036854775808n;
const TT2000_VALIDMIN = -3155716767816000000n; // 1900-01-01T00:00:00
const TT2000_VALIDMAX = 7889227269184000000n; // 2250-01-01T00:00:00
const INT4_FILLVAL = -2147483648;

function globalAttributes(p: L1cProduct, o: L1cFileOptions, mode: string): CdfSpec['globalAttributes'] {
  for (const [name, value] of [['softwareVersion', o.softwareVersion], ['swxsocVersion', o.swxsocVersion], ['reachVersion', o.reachVersion]] as const) {
    if (value === '' || /[\r\n]/.test(value)) throw new L1cOptionsError(`${name} must be one non-empty line`);
  }
  if (Number.isNaN(o.generatedAt.getTime())) throw new L1cOptionsError('generatedAt is not a valid date');
  const pairs: (readonly [string, string])[] = [
    ...GLOBAL_ATTRIBUTES_BEFORE_MODE,
    ['Instrument_mode', mode],
    ...GLOBAL_ATTRIBUTES_BEFORE_SOURCE,
    ['Data_version', L1C_VERSION],
    ['UDL_Source', p.udlSource],
    ['Generation_date', o.generatedAt.toISOString().slice(0, 10)],
    ['Logical_file_id', l1cLogicalFileId(mode, p.day)],
    ['Logical_source', `reach_${mode}_${L1C_TYPE}`],
    ['CDF_Lib_version', `reach-udl ${o.softwareVersion}`],
    ['SWxSOC_version', o.swxsocVersion],
    ['REACH_version', o.reachVersion],
  ];
  return pairs.map(([name, value]) => ({ name, entries: [char(value)] }));
}

function metadata(catdesc: string, name: string, fill: CdfEntry, format: string, notes?: string): Record<string, CdfEntry> {
  return {
    CATDESC: char(catdesc),
    VAR_TYPE: char('metadata'),
    FIELDNAM: char(name),
    FILLVAL: fill,
    FORMAT: char(format),
    ...(notes === undefined ? {} : { VAR_NOTES: char(notes) }),
  };
}

function data(name: string, catdesc: string, units: string, values: Float64Array, dims: number[]): CdfVariableSpec {
  const flavors = dims.length === 2;
  return {
    name,
    type: CdfType.DOUBLE,
    dims,
    recVary: true,
    values,
    attributes: {
      CATDESC: char(catdesc),
      VAR_TYPE: char('data'),
      FIELDNAM: char(name),
      FILLVAL: entry.double(FILL),
      FORMAT: char('G10.8E3'),
      SI_CONVERSION: char(' > '),
      UNITS: char(units),
      VALIDMIN: entry.double(-Number.MAX_VALUE),
      VALIDMAX: entry.double(Number.MAX_VALUE),
      DEPEND_0: char('Epoch'),
      DEPEND_1: char('sensor_ids'),
      ...(flavors ? { DEPEND_2: char('dosimeter_flavor_ids') } : {}),
      LABL_PTR_1: char('sensor_labels'),
      ...(flavors ? { LABL_PTR_2: char('dosimeter_flavor_labels') } : {}),
      DISPLAY_TYPE: char('time_series'),
    },
  };
}

/** The CDF spec of a day's product (IBMPC encoding, no compression: the golden's layout). */
export function l1cCdfSpec(p: L1cProduct, o: L1cFileOptions): CdfSpec {
  const mode = l1cMode(o.sensorId);
  const S = p.sensorLabels.length;
  const F = p.flavorSlots;
  const flavorLabels = Array.from({ length: F }, (_, f) => `flavor_${f}`);
  const variables: CdfVariableSpec[] = [
    {
      name: 'Epoch',
      type: CdfType.TIME_TT2000,
      recVary: true,
      values: p.epoch,
      attributes: {
        CATDESC: char('Observation Time'),
        VAR_TYPE: char('support_data'),
        FIELDNAM: char('Epoch'),
        FILLVAL: entry.tt2000(TT2000_FILLVAL),
        FORMAT: char('A29'),
        SI_CONVERSION: char('1.000000e-09>s'),
        UNITS: char('ns'),
        VALIDMIN: entry.tt2000(TT2000_VALIDMIN),
        VALIDMAX: entry.tt2000(TT2000_VALIDMAX),
        TIME_BASE: char('J2000'),
        RESOLUTION: char(p.resolution),
        TIME_SCALE: char('Terrestrial Time (TT)'),
        REFERENCE_POSITION: char('rotating Earth geoid'),
      },
    },
    {
      name: 'sensor_labels',
      type: CdfType.CHAR,
      dims: [S],
      recVary: false,
      values: p.sensorLabels,
      attributes: metadata('REACH Sensor Labels', 'sensor_labels', char(' '), `A${S}`),
    },
    {
      name: 'sensor_ids',
      type: CdfType.INT4,
      dims: [S],
      recVary: false,
      values: p.sensorIds,
      attributes: metadata('REACH Sensor IDs', 'sensor_ids', entry.int4(INT4_FILLVAL), 'I11'),
    },
    {
      name: 'dosimeter_flavor_labels',
      type: CdfType.CHAR,
      dims: [F],
      recVary: false,
      values: flavorLabels,
      attributes: metadata(
        'Label for dosimeter flavors dimension',
        'dosimeter_flavor_labels',
        char(' '),
        `A${F}`,
        "Variable is just used for Label Pointer. For actual flavor strings, see 'dosimeter_flavors' variable.",
      ),
    },
    {
      name: 'dosimeter_flavor_ids',
      type: CdfType.INT4,
      dims: [F],
      recVary: false,
      values: Int32Array.from(flavorLabels, (_, f) => f),
      attributes: metadata(
        'ID for dosimeter flavors dimension',
        'dosimeter_flavor_ids',
        entry.int4(INT4_FILLVAL),
        'I11',
        "Variable is just used for DEPENDS. For actual flavor strings, see 'dosimeter_flavors' variable.",
      ),
    },
    {
      name: 'dosimeter_flavors',
      type: CdfType.CHAR,
      dims: [S, F],
      recVary: false,
      values: p.flavors,
      attributes: metadata('Observation Flavors per Sensor', 'dosimeter_flavors', char(' '), `A${S}`),
    },
    data('dose_rate', 'Dose rate for combined sensors and dosimeter flavors', '0.01 J / kg', p.doseRate, [S, F]),
    data('lat', 'Latitude', 'deg', p.lat, [S]),
    data('lon', 'Longitude', 'deg', p.lon, [S]),
    data('alt', 'Altitude', 'km', p.alt, [S]),
    data('obQuality', 'Observation Quality', 'unitless', p.obQuality, [S]),
    data('sensor_position_x', 'GEI Coordinate Position X in KM', 'km', p.sensorPositionX, [S]),
    data('sensor_position_y', 'GEI Coordinate Position Y in KM', 'km', p.sensorPositionY, [S]),
    data('sensor_position_z', 'GEI Coordinate Position Z in KM', 'km', p.sensorPositionZ, [S]),
  ];
  return { globalAttributes: globalAttributes(p, o, mode), variables };
}
