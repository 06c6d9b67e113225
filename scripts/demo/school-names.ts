import type { SchoolPhase, SchoolType } from '../../services/store/database';
import type { Random } from './random';

/**
 * Fictional school names in the style of rural Lincolnshire: a made-up village or market town
 * (Old English and Norse place-name elements: -by, -thorpe, -ton, -ingham ...) plus the usual
 * school wording for its type. Names are kept unique within one county.
 */

const FIRST = `Ash Aswar Bar Bil Brack Bur Cal Carl Cold Cran Dal Dun Ed Elk Fen Ful Gar Gold Gran Grim Hag Hal
  Hem Hol Hun Ing Kel Ket Kirk Lang Lea Lud Mal Mar Mel Min Nor Orm Ow Ran Red Sal Sax Scot Skel Sot Spil Stain
  Stow Sud Swin Tat Tet Thorn Tof Ulce Wad Wain Wel Whit Wil Wold Wrag Yar`
  .trim()
  .split(/\s+/);

const ENDINGS = `by thorpe ton ham ingham well field ford wick worth stead holme croft leigh dale bury stow wold
  fleet ness toft hall borough`
  .trim()
  .split(/\s+/);

const VILLAGE_PREFIXES = ['Great ', 'Little ', 'North ', 'South ', 'East ', 'West ', 'Long ', 'Old ', 'High '];
const VILLAGE_SUFFIXES = [' le Marsh', ' le Fen', ' St Mary', ' St Peter', ' on the Hill', ' by the Sea', ' Fen End', ' Wolds'];

const SAINTS = ['Peter', 'Paul', 'Mary', 'Andrew', 'Michael', 'John', 'Margaret', 'Helen', 'Botolph', 'Guthlac', 'Hugh', 'Wilfrid', 'Lawrence', 'George', 'James', 'Faith'];
const NATURE_FIRST = ['Willow', 'Rose', 'Ash', 'Oak', 'Beech', 'Hazel', 'Elm', 'Lark', 'Kestrel', 'Heron', 'Fen', 'Marsh', 'Brook', 'Meadow', 'Holly', 'Cedar', 'Rowan', 'Orchard'];
const NATURE_SECOND = ['brook', 'field', 'wood', 'gate', 'lands', 'side', 'mead', 'view', 'bank', 'dene', 'lea', 'croft'];

function capitalised(first: string, ending: string): string {
  // Avoid awkward doubled letters at the join ("Tattton"): drop the ending's first letter instead.
  const joined = first.endsWith(ending[0]!) && !'aeiou'.includes(ending[0]!) ? first + ending.slice(1) : first + ending;
  return joined[0]!.toUpperCase() + joined.slice(1);
}

export class SchoolNamer {
  private readonly usedPlaces = new Set<string>();
  private readonly usedNames = new Set<string>();

  constructor(private readonly random: Random) {}

  /** A fresh fictional place; villages get the odd Great/Little/le Marsh. */
  place(kind: 'village' | 'town'): string {
    for (let attempt = 0; attempt < 1000; attempt++) {
      let name = capitalised(this.random.pick(FIRST), this.random.pick(ENDINGS));
      if (kind === 'village') {
        const r = this.random.next();
        if (r < 0.12) name = this.random.pick(VILLAGE_PREFIXES) + name;
        else if (r < 0.2) name += this.random.pick(VILLAGE_SUFFIXES);
      } else if (this.random.chance(0.1)) {
        name = 'Market ' + name;
      }
      if (!this.usedPlaces.has(name)) {
        this.usedPlaces.add(name);
        return name;
      }
    }
    throw new Error('ran out of fictional place names');
  }

  schoolName(phase: SchoolPhase, type: SchoolType, options: { grammar?: boolean; district?: string } = {}): string {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const name = this.candidate(phase, type, options);
      if (!this.usedNames.has(name)) {
        this.usedNames.add(name);
        return name;
      }
    }
    throw new Error('ran out of fictional school names');
  }

  private candidate(phase: SchoolPhase, type: SchoolType, options: { grammar?: boolean; district?: string }): string {
    const r = this.random;
    if (type === 'special') {
      const base = r.pick(NATURE_FIRST) + r.pick(NATURE_SECOND);
      return r.pick([`${base} School`, `${base} Academy`, `The ${base} Special School`, `${base} School and Sixth Form`]);
    }
    if (type === 'alternative_provision') {
      const where = options.district ?? this.place('town');
      return r.pick([`${where} Pupil Referral Unit`, `${where} Alternative Provision Academy`, `The ${r.pick(NATURE_FIRST)} Centre, ${where}`]);
    }
    if (phase === 'secondary' || phase === 'all_through') {
      const town = this.place('town');
      if (options.grammar) return r.pick([`${town} Grammar School`, `${town} High School for Girls`, `The King's School, ${town}`, `${town} Grammar Academy`]);
      if (phase === 'all_through') return `${town} All Through Academy`;
      if (type === 'academy' || type === 'free_school')
        return r.pick([`${town} Academy`, `${town} Academy`, `The ${town} Academy`, `${town} Community Academy`, `St ${r.pick(SAINTS)}'s Church of England Academy, ${town}`, `${town} Wolds Academy`, `${town} Fen Academy`]);
      return r.pick([`${town} High School`, `${town} Community College`, `The ${town} School`, `${town} Secondary School`]);
    }
    const village = this.place('village');
    switch (type) {
      case 'voluntary_aided':
        return r.chance(0.4)
          ? `St ${r.pick(SAINTS)}'s Catholic Primary School, ${village}`
          : `${village} Church of England Primary School`;
      case 'voluntary_controlled':
        return r.pick([`${village} C of E Primary School`, `St ${r.pick(SAINTS)}'s C of E Primary School, ${village}`]);
      case 'academy':
        return r.pick([`${village} Primary Academy`, `${village} Primary School`, `${village} C of E Primary Academy`, `${village} Church of England Academy`, `${village} Academy`]);
      case 'free_school':
        return `${village} Free School`;
      case 'foundation':
        return `${village} Foundation Primary School`;
      default:
        return r.pick([`${village} Primary School`, `${village} Primary School`, `${village} Community Primary School`, `${village} County Primary School`, `${village} Infant and Junior School`]);
    }
  }
}
