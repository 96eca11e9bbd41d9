import type { CliCommand } from '../command';
import modelInfo from './model-info';
import train from './train';
import apply from './apply';
import rankSearch from './rank-search';
import doctor from './doctor';
import importCommand from './import';
import { jobsDiscard, jobsList, jobsResume } from './jobs';
import { projectsCreate, projectsDelete, projectsList, projectsRename } from './projects';
import { storageGc } from './storage';
import { conceptsCreate, conceptsList, imagesList } from './concepts';
import teachersList from './teachers-list';
import teach from './teach';
import pairsGenerate from './pairs-generate';
import { modelsDownload, modelsImport, modelsList } from './models';
import exportCommand from './export';
import demo from './demo';
import baseTrain from './base-train';
import baseEval from './base-eval';
import baseApply from './base-apply';
import baseExport from './base-export';
import { pairsAccept, pairsImport, pairsList, pairsMake, pairsReject } from './pairs';
import { subsetCommand } from './subset';
import { trainingCancel, trainingList, trainingPause, trainingResume, trainingStart } from './training';

// Every subcommand of `e2gan`. Add one import and one entry per command module.
export const commands: readonly CliCommand[] = [
  doctor,
  projectsList,
  projectsCreate,
  projectsRename,
  projectsDelete,
  conceptsList,
  conceptsCreate,
  importCommand,
  imagesList,
  jobsList,
  jobsResume,
  jobsDiscard,
  storageGc,
  modelInfo,
  train,
  apply,
  rankSearch,
  teachersList,
  teach,
  pairsGenerate,
  modelsList,
  modelsImport,
  modelsDownload,
  exportCommand,
  demo,
  baseTrain,
  baseEval,
  baseApply,
  baseExport,
  pairsList,
  pairsMake,
  pairsAccept,
  pairsReject,
  pairsImport,
  subsetCommand,
  trainingStart,
  trainingList,
  trainingResume,
  trainingPause,
  trainingCancel,
];
