/**
 * Live messages before address books. BullMQ 6 takes a job from the wait list
 * (jobs without a priority) before any job of its prioritized set, and from
 * that set the lowest number first; the queue's limiter counts both alike. So
 * message activities are added without a priority, and a contact upsert from
 * a `contacts.upsert` flood or a contact sync with a low one: a customer's
 * message that arrives behind 5,000 of them is the next job the limiter lets
 * through. A job that moves itself back to wait between its steps keeps its
 * priority (BullMQ puts it in front of its own level).
 */
export const CRM_PRIORITY = {
  /** Contacts a gateway posted (contacts.upsert / contacts.update). */
  contactUpsert: 10,
  /** The scheduled contact sync: least urgent of all. */
  contactSync: 20,
} as const;
