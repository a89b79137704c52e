import mongoose, { Schema } from 'mongoose';

/** A user's questionnaire answers (0 worst … 4 best per indicator), one document per user. */
const healthAnswersSchema = new Schema(
  {
    _id: { type: String, required: true },
    answers: { type: Map, of: Number, default: {} },
  },
  { timestamps: true, collection: 'health_answers', versionKey: false },
);
export interface HealthAnswersRecord {
  _id: string;
  answers: Record<string, number>;
}
export const HealthAnswers = mongoose.model('HealthAnswers', healthAnswersSchema);

/** A goal: a target amount by a date, in the user's base currency. */
const goalSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    /** decimal string */
    target: { type: String, required: true },
    /** YYYY-MM-DD */
    date: { type: String, required: true },
  },
  { timestamps: true, collection: 'goals' },
);
goalSchema.index({ publicId: 1 }, { unique: true });
goalSchema.index({ userId: 1 });
export interface GoalRecord {
  publicId: string;
  userId: string;
  name: string;
  target: string;
  date: string;
}
export const GoalModel = mongoose.model('Goal', goalSchema);

/**
 * A recommendation the user dismissed, with the impact it had then: it stays dismissed until its
 * impact changes materially (see insights service).
 */
const dismissalSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    recommendationId: { type: String, required: true },
    impact: { type: String, required: true },
  },
  { timestamps: true, collection: 'recommendation_dismissals', versionKey: false },
);
dismissalSchema.index({ userId: 1 });
export interface DismissalRecord {
  _id: string;
  userId: string;
  recommendationId: string;
  impact: string;
}
export const Dismissal = mongoose.model('RecommendationDismissal', dismissalSchema);
